"""The catalogue of APIs that must not run in durable code outside a run action, as data.

Entries are qualified names as the import model resolves them (`from time import
time as now; now()` is `time.time`). An entry names a function, a class, or a
whole module or namespace: `boto3` covers `boto3.client`, `boto3.session.Session`...
Users extend the catalogue (`extend-nondeterministic`, `extend-io`) and trim it
(`allow`) in `[tool.restate-lint]`, with the same notation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import libcst as cst

NONDETERMINISTIC = "nondeterministic"  # RST101
IO = "io"  # RST102
CONCURRENCY = "concurrency"  # RST106

_RANDOM_FUNCTIONS = (
    "random", "randint", "randrange", "randbytes", "getrandbits", "choice", "choices", "sample", "shuffle",
    "uniform", "triangular", "gauss", "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate",
    "gammavariate", "betavariate", "paretovariate", "weibullvariate", "binomialvariate", "seed", "getstate", "setstate",
)  # fmt: skip

_NONDETERMINISTIC = [
    # the clock
    *(f"time.{f}" for f in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
                            "process_time", "process_time_ns", "thread_time", "thread_time_ns", "clock_gettime",
                            "clock_gettime_ns")),
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    # randomness and ids (`random.Random(seed)` is deterministic: see _WITHOUT_ARGUMENTS)
    *(f"random.{f}" for f in _RANDOM_FUNCTIONS), "random.SystemRandom",
    "secrets", "uuid.uuid1", "uuid.uuid4", "uuid.uuid6", "uuid.uuid7", "uuid.getnode",
    "os.urandom", "os.getrandom", "os.getpid", "os.getppid", "numpy.random",
    "pendulum.now", "pendulum.today", "arrow.now", "arrow.utcnow",
    # the environment of this process
    "os.environ", "os.environb", "os.getenv", "os.getenvb", "os.getlogin", "os.uname", "os.cpu_count",
    "platform", "getpass.getuser",
]  # fmt: skip

# Calls that read the current time or a fresh seed only when given no argument (beyond the first n).
_WITHOUT_ARGUMENTS = {
    "time.localtime": 0, "time.gmtime": 0, "time.ctime": 0, "time.asctime": 0, "time.strftime": 1,
    "random.Random": 0, "numpy.random.default_rng": 0, "numpy.random.RandomState": 0,
}  # fmt: skip

# Deterministic members of otherwise catalogued namespaces (webhook signature checks, errors).
_PURE = {"secrets.compare_digest", "stripe.Webhook", "stripe.WebhookSignature", "stripe.error", "stripe.StripeError"}

# Values whose mere read is non-deterministic (`os.environ["X"]`).
VALUES = frozenset({"os.environ", "os.environb"})

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

_IO = [
    # files and the file system
    "builtins.open", "builtins.input", "io.open", "codecs.open", "glob.glob", "glob.iglob", "fileinput.input",
    *(f"os.{f}" for f in ("open", "listdir", "scandir", "walk", "remove", "unlink", "rename", "replace",
                          "makedirs", "mkdir", "rmdir", "removedirs", "stat", "lstat", "chmod", "chown",
                          "system", "popen", "kill", "fork", "truncate", "symlink", "link", "getcwd",
                          "chdir", "utime", "access")),
    *(f"os.path.{f}" for f in ("exists", "lexists", "isfile", "isdir", "islink", "getsize", "getmtime",
                               "getatime", "getctime", "realpath", "samefile")),
    "pathlib.Path.cwd", "pathlib.Path.home", "shutil", "tempfile",
    # networks and processes
    *(f"requests.{f}" for f in (*_HTTP_VERBS, "Session", "session")),
    *(f"httpx.{f}" for f in (*_HTTP_VERBS, "stream", "Client", "AsyncClient")),
    "aiohttp.ClientSession", "aiohttp.request", "urllib3.PoolManager", "urllib3.request",
    "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.build_opener",
    "socket", "ssl.create_connection", "ssl.get_server_certificate", "http.client", "smtplib", "ftplib",
    "poplib", "imaplib", "subprocess", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
    "asyncio.open_connection", "asyncio.start_server", "websockets.connect", "grpc.insecure_channel",
    "grpc.secure_channel", "grpc.aio.insecure_channel", "grpc.aio.secure_channel",
    # databases, queues, caches
    "sqlite3.connect", "aiosqlite.connect", "psycopg2.connect", "psycopg.connect", "psycopg.Connection.connect",
    "psycopg.AsyncConnection.connect", "psycopg_pool", "asyncpg.connect", "asyncpg.create_pool", "pymysql.connect",
    "MySQLdb.connect", "mysql.connector.connect", "aiomysql.connect", "aiomysql.create_pool", "pymongo.MongoClient",
    "motor.motor_asyncio.AsyncIOMotorClient", "redis.Redis", "redis.StrictRedis", "redis.from_url",
    "redis.asyncio.Redis", "redis.asyncio.from_url", "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine", "elasticsearch.Elasticsearch", "elasticsearch.AsyncElasticsearch",
    "cassandra.cluster.Cluster", "duckdb.connect", "clickhouse_connect.get_client", "pika.BlockingConnection",
    "kafka.KafkaProducer", "kafka.KafkaConsumer", "confluent_kafka.Producer", "confluent_kafka.Consumer",
    "aiokafka.AIOKafkaProducer", "aiokafka.AIOKafkaConsumer", "qdrant_client.QdrantClient",
    "qdrant_client.AsyncQdrantClient", "minio.Minio",
    # cloud and SaaS clients
    "boto3", "aioboto3", "google.cloud", "azure.storage", "azure.cosmos", "azure.servicebus", "stripe",
    # LLM requests through module-level clients (the client classes are in LAZY_CLIENTS)
    *(f"openai.{f}" for f in ("chat", "completions", "embeddings", "responses", "images", "audio", "moderations",
                              "files", "batches", "beta", "ChatCompletion", "Completion", "Embedding")),
    *(f"litellm.{f}" for f in ("completion", "acompletion", "text_completion", "atext_completion", "embedding",
                               "aembedding", "image_generation", "aimage_generation", "transcription",
                               "atranscription", "speech", "aspeech", "responses", "aresponses", "moderation",
                               "amoderation", "rerank", "arerank")),
    *(f"ollama.{f}" for f in ("chat", "generate", "embed", "embeddings", "pull", "push", "create", "list", "show")),
    "google.generativeai.generate_text", "google.generativeai.generate_embeddings", "google.generativeai.embed_content",
]  # fmt: skip

_CONCURRENCY = [
    *(f"asyncio.{f}" for f in ("sleep", "gather", "wait", "wait_for", "as_completed", "create_task", "ensure_future",
                               "TaskGroup", "timeout", "timeout_at", "shield", "to_thread",
                               "run_coroutine_threadsafe")),
    "time.sleep", "threading", "concurrent.futures", "multiprocessing",
]  # fmt: skip

# I/O entries whose result is a client: its methods do I/O wherever the client lives
# (`s3 = boto3.client("s3")` at module level, `s3.put_object(..)` in a handler).
_CLIENTS = [
    "requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession",
    "urllib3.PoolManager", "socket.socket", "socket.create_connection", "http.client.HTTPConnection",
    "http.client.HTTPSConnection", "smtplib.SMTP", "smtplib.SMTP_SSL", "ftplib.FTP", "grpc", "boto3", "aioboto3",
    "google.cloud", "azure.storage", "azure.cosmos", "azure.servicebus",
    *(e for e in _IO if e.rsplit(".", 1)[-1] in ("connect", "create_pool", "from_url", "create_engine",
                                                   "create_async_engine", "get_client")),
    *(e for e in _IO if e.rsplit(".", 1)[-1][:1].isupper() and e.split(".")[0] not in ("pathlib", "asyncio")),
]  # fmt: skip

# Clients whose construction does no I/O (it reads settings and keys): only their requests do,
# wherever the client was built, in a handler too. LLM clients, mostly; a value is the set of
# methods that send requests, when the client also has methods that only derive another client
# (LangChain's `llm.bind_tools(..)`); None: every method call but `_CLIENT_DERIVING` ones.
_LANGCHAIN_REQUESTS = frozenset({
    "invoke", "ainvoke", "stream", "astream", "batch", "abatch", "batch_as_completed", "abatch_as_completed",
    "generate", "agenerate", "predict", "apredict", "astream_events", "astream_log", "embed_query",
    "aembed_query", "embed_documents", "aembed_documents",
})  # fmt: skip
LAZY_CLIENTS: dict[str, Optional[frozenset]] = {
    **dict.fromkeys((
        "openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI",
        "anthropic.Anthropic", "anthropic.AsyncAnthropic", "anthropic.AnthropicBedrock", "anthropic.AsyncAnthropicBedrock",
        "anthropic.AnthropicVertex", "anthropic.AsyncAnthropicVertex", "google.genai.Client",
        "google.generativeai.GenerativeModel", "mistralai.Mistral", "cohere.Client", "cohere.ClientV2",
        "cohere.AsyncClient", "cohere.AsyncClientV2", "groq.Groq", "groq.AsyncGroq", "ollama.Client",
        "ollama.AsyncClient", "together.Together", "together.AsyncTogether", "huggingface_hub.InferenceClient",
        "huggingface_hub.AsyncInferenceClient", "litellm.Router",
    )),
    **dict.fromkeys((
        "langchain_openai", "langchain_anthropic", "langchain_google_genai", "langchain_google_vertexai",
        "langchain_mistralai", "langchain_groq", "langchain_ollama", "langchain_aws.ChatBedrock",
        "langchain_aws.ChatBedrockConverse", "langchain.chat_models.init_chat_model",
        "langchain.embeddings.init_embeddings",
    ), _LANGCHAIN_REQUESTS),
    # HTTP clients: their pools connect on the first request
    **dict.fromkeys(("requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "urllib3.PoolManager")),
}  # fmt: skip
# Methods of a lazy client that only derive a configured copy of it.
_CLIENT_DERIVING = frozenset({"with_options", "copy", "with_raw_response", "with_streaming_response"})

# The event loop's clock (`asyncio.get_running_loop().time()`): a monotonic clock read like `time.monotonic`.
EVENT_LOOPS = frozenset({"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"})
LOOP_CLOCK = "asyncio.AbstractEventLoop.time"

# pathlib: constructors of path values, methods that derive another path, methods that do I/O.
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
PATH_DERIVING = frozenset({
    "parent", "with_name", "with_suffix", "with_stem", "joinpath", "absolute", "resolve", "expanduser",
    "relative_to", "with_segments",
})  # fmt: skip
PATH_IO = frozenset({
    "read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "is_file", "is_dir", "is_symlink",
    "stat", "lstat", "iterdir", "glob", "rglob", "walk", "mkdir", "rmdir", "unlink", "touch", "rename", "replace",
    "samefile", "chmod", "symlink_to", "hardlink_to", "readlink", "owner", "group", "copy", "move",
})  # fmt: skip


# Reads of this process's environment: the same on every replay in one deployment, so when a
# function also reaches other APIs, those are the ones to name (see `weight`).
_ENVIRONMENT = frozenset({
    "os.environ", "os.environb", "os.getenv", "os.getenvb", "os.getlogin", "os.uname", "os.cpu_count", "platform",
    "getpass.getuser",
})  # fmt: skip


def weight(name: str, kind: str) -> int:
    """How much an API matters when a function reaches several: I/O (repeated side effects) over
    native concurrency over clocks and randomness over environment reads."""
    if kind == IO:
        return 3
    if kind == CONCURRENCY:
        return 2
    return 0 if any(prefix in _ENVIRONMENT for prefix in prefixes(name)) else 1


MAX_WEIGHT = 3


@dataclass(frozen=True)
class Api:
    """A catalogued API a call or a read reaches."""

    name: str  # the qualified name used (`time.time`, `pathlib.Path.read_text`)
    kind: str  # NONDETERMINISTIC | IO | CONCURRENCY

    @property
    def display(self) -> str:
        """The name as users write it (`open`, not `builtins.open`)."""
        return self.name[len("builtins.") :] if self.name.startswith("builtins.") else self.name


@lru_cache(maxsize=1 << 14)
def prefixes(qualname: str) -> tuple[str, ...]:
    """`a.b.c`, `a.b`, `a`: the names an entry can match a qualified name by (asked for every
    call of every summarised function, of few distinct names)."""
    parts = qualname.split(".")
    return tuple(".".join(parts[:end]) for end in range(len(parts), 0, -1))


class Catalogue:
    def __init__(self, extend_nondeterministic=(), extend_io=(), allow=()):
        self.kinds: dict[str, str] = {}
        for kind, entries in (
            (CONCURRENCY, _CONCURRENCY), (IO, _IO), (NONDETERMINISTIC, _NONDETERMINISTIC),
            (IO, extend_io), (NONDETERMINISTIC, extend_nondeterministic),
        ):  # fmt: skip
            for entry in entries:
                self.kinds[entry] = kind
        self.allowed = frozenset(allow) | _PURE
        self.clients = frozenset(_CLIENTS)

    def is_allowed(self, qualname: str) -> bool:
        """`allow` names the API, or a module or class it belongs to."""
        return any(prefix in self.allowed for prefix in prefixes(qualname))

    def _lookup(self, qualname: str, table) -> Optional[str]:
        """The most specific entry of `table` that covers `qualname`, None when allowed."""
        if self.is_allowed(qualname):
            return None
        return next((prefix for prefix in prefixes(qualname) if prefix in table), None)

    def call(self, qualname: Optional[str], call: cst.Call) -> Optional[Api]:
        """The catalogued API a call of `qualname` reaches, if any."""
        if not qualname or self.is_lazy_client(qualname):
            return None
        limit = _WITHOUT_ARGUMENTS.get(qualname)
        if limit is not None:
            if self.is_allowed(qualname):
                return None
            return Api(qualname, NONDETERMINISTIC) if len(call.args) <= limit and not any(a.star for a in call.args) else None
        entry = self._lookup(qualname, self.kinds)
        return Api(qualname, self.kinds[entry]) if entry else None

    def value(self, qualname: Optional[str]) -> Optional[Api]:
        """The catalogued API a plain read (`os.environ`) reaches."""
        if qualname in VALUES and qualname not in self.allowed:
            return Api(qualname, self.kinds.get(qualname, NONDETERMINISTIC))
        return None

    def kind_of(self, qualname: Optional[str]) -> Optional[str]:
        """The catalogue kind of an API named without being called (`retry(requests.get, url)`)."""
        if not qualname or self.is_lazy_client(qualname) or qualname in _WITHOUT_ARGUMENTS:
            return None
        entry = self._lookup(qualname, self.kinds)
        return self.kinds[entry] if entry else None

    def is_client_factory(self, qualname: Optional[str]) -> bool:
        if not qualname:
            return False
        in_io = self._lookup(qualname, self.kinds) is not None and self._lookup(qualname, self.clients) is not None
        return in_io or self.is_lazy_client(qualname)

    def is_lazy_client(self, qualname: Optional[str]) -> bool:
        """A client whose construction does no I/O, only its requests (`openai.AsyncOpenAI`)."""
        return bool(qualname) and self._lookup(qualname, LAZY_CLIENTS) is not None

    def sends_request(self, factory: str, method: str) -> bool:
        """Does calling `method` on a client `factory` built do I/O?"""
        entry = self._lookup(factory, LAZY_CLIENTS)
        if entry is None:
            return True
        requests = LAZY_CLIENTS[entry]
        return method in requests if requests is not None else method not in _CLIENT_DERIVING


@lru_cache(maxsize=16)
def _catalogue(extend_nondeterministic: tuple, extend_io: tuple, allow: tuple) -> Catalogue:
    return Catalogue(extend_nondeterministic, extend_io, allow)


def catalogue_settings(settings) -> tuple:
    """The settings that shape the catalogue (what cached summaries and diagnostics depend on)."""
    return (tuple(settings.extend_nondeterministic), tuple(settings.extend_io), tuple(settings.allow))


def catalogue_for(settings) -> Catalogue:
    """The catalogue as the project's settings extend and trim it."""
    return _catalogue(*catalogue_settings(settings))

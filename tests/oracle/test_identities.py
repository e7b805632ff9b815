"""RST701: ctx.uuid() and ctx.random() can be recomputed by anyone who has the invocation id."""

import string

from tests.oracle.seeds import ctx_random, first_ctx_uuid, invocation_id_parts


def test_rst701_api_key_and_password_follow_from_the_invocation_id(deploy, client, key):
    deploy("RST701/invalid_secret_variables.py")
    status, api_key = client.call(f"Account/{key}/create_api_key")
    assert status == 200
    invocation_id = client.last(f"Account/{key}/create_api_key")
    assert invocation_id_parts(invocation_id)[0] == int(client.server.sql(
        f"SELECT partition_key FROM sys_journal WHERE id = '{invocation_id}' LIMIT 1")[0]["partition_key"])
    assert api_key == first_ctx_uuid(invocation_id).hex

    status, password = client.call(f"Account/{key}/initial_password")
    rng = ctx_random(client.last(f"Account/{key}/initial_password"))
    alphabet = string.ascii_letters + string.digits
    assert (status, password) == (200, "".join(rng.choice(alphabet) for _ in range(16)))

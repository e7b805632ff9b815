from restate_lint.cli import main

main()

from atlas_cli import main

main()

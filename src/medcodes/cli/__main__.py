from medcodes.cli.app import main

main()

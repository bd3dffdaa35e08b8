from groupclinic_desktop.cli import main

raise SystemExit(main())

from bot.coordinator.cli import main

main()

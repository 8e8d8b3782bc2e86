from empathy_gym.cli import main

main()

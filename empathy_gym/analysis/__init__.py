"""What trained assistants represent, and what breaks when parts of the network are silenced."""

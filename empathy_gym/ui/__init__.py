"""Interactive commands: watch trained or baseline assistants, replay recordings, play."""

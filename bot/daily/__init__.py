"""The question of the day: subscriptions, exactly-once posting, the reveal."""

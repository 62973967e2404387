"""The Discord adapter: a discord.py client that translates interactions to core calls and back."""

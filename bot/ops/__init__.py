"""Running the bot: the HTTP server, start-up, doctor, replication, logs and the manifest."""

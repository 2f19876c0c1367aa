"""Events plumbing around the domain's ingestion: the CLI, the AMQP consumer, the change feed."""

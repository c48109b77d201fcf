"""briefbot: briefs people on the Korean AI-policy debate from local documents."""

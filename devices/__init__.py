"""The room's hardware behind small interfaces, each with a fake that runs over files."""

"""kb's writing side: import Global Focus pages, validate content/, tag themes and build the search index."""

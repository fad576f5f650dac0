// Replaced by the lexer and parser.

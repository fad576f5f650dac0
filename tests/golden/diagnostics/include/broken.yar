rule broken_included { condition: true and }

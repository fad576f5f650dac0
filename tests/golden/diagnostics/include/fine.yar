rule fine_included { condition: true }

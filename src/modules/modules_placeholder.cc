// Replaced by the module registry.

"""WebGPU programs: movement family (being written)."""

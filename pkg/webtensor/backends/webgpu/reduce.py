"""WebGPU programs: reduce family (being written)."""

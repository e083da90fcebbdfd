"""WebGPU programs: conv family (being written)."""

"""WebGPU programs: matmul family (being written)."""

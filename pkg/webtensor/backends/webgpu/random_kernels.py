"""WebGPU programs: random_kernels family (being written)."""

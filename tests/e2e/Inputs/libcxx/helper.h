// Not a test: no libc++ test suffix.

apps/sha256.o: apps/sha256.c apps/sha256.h
apps/sha256.h:

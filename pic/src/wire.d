pic/src/wire.o: src/wire.c src/wire.h src/types.h
src/wire.h:
src/types.h:

pic/src/addr.o: src/addr.c src/addr.h src/types.h
src/addr.h:
src/types.h:

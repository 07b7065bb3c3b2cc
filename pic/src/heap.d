pic/src/heap.o: src/heap.c src/heap.h src/types.h
src/heap.h:
src/types.h:

sim/eventq.o: sim/eventq.c sim/eventq.h src/heap.h src/types.h \
 src/types.h
sim/eventq.h:
src/heap.h:
src/types.h:
src/types.h:

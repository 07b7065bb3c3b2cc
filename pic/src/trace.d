pic/src/trace.o: src/trace.c src/trace.h src/types.h src/addr.h \
 src/wire.h
src/trace.h:
src/types.h:
src/addr.h:
src/wire.h:

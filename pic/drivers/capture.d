pic/drivers/capture.o: drivers/capture.c drivers/capture.h \
 netdev/pcapout.h src/types.h src/trace.h src/types.h
drivers/capture.h:
netdev/pcapout.h:
src/types.h:
src/trace.h:
src/types.h:

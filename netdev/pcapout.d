netdev/pcapout.o: netdev/pcapout.c netdev/pcapout.h src/types.h
netdev/pcapout.h:
src/types.h:

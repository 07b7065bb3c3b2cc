netdev/vnet.o: netdev/vnet.c netdev/vnet.h src/netdev.h
netdev/vnet.h:
src/netdev.h:

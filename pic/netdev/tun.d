pic/netdev/tun.o: netdev/tun.c netdev/tun.h src/netdev.h src/types.h \
 netdev/vnet.h src/addr.h src/types.h
netdev/tun.h:
src/netdev.h:
src/types.h:
netdev/vnet.h:
src/addr.h:
src/types.h:

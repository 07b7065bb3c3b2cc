lab/transfer.o: lab/transfer.c lab/transfer.h sim/sim.h src/stack.h \
 src/config.h src/types.h src/pkt.h src/netdev.h src/stats.h src/types.h \
 lab/xfer_pattern.h src/socket.h src/addr.h
lab/transfer.h:
sim/sim.h:
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/types.h:
lab/xfer_pattern.h:
src/socket.h:
src/addr.h:

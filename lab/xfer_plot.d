lab/xfer_plot.o: lab/xfer_plot.c lab/xfer_plot.h sim/sim.h src/stack.h \
 src/config.h src/types.h src/pkt.h src/netdev.h src/stats.h src/types.h \
 src/socket.h lab/transfer.h lab/xfer_pattern.h src/wire.h
lab/xfer_plot.h:
sim/sim.h:
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/types.h:
src/socket.h:
lab/transfer.h:
lab/xfer_pattern.h:
src/wire.h:

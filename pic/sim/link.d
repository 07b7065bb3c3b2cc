pic/sim/link.o: sim/link.c sim/sim_impl.h src/netdev.h sim/eventq.h \
 src/heap.h src/types.h src/types.h sim/sim.h src/stack.h src/config.h \
 src/pkt.h src/netdev.h src/stats.h src/rng.h
sim/sim_impl.h:
src/netdev.h:
sim/eventq.h:
src/heap.h:
src/types.h:
src/types.h:
sim/sim.h:
src/stack.h:
src/config.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/rng.h:

lab/scenario.o: lab/scenario.c lab/scenario.h sim/sim.h src/stack.h \
 src/config.h src/types.h src/pkt.h src/netdev.h src/stats.h src/types.h \
 apps/app.h src/socket.h src/config.h src/addr.h src/rng.h src/trace.h \
 src/wire.h
lab/scenario.h:
sim/sim.h:
src/stack.h:
src/config.h:
src/types.h:
src/pkt.h:
src/netdev.h:
src/stats.h:
src/types.h:
apps/app.h:
src/socket.h:
src/config.h:
src/addr.h:
src/rng.h:
src/trace.h:
src/wire.h:

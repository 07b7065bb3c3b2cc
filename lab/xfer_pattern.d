lab/xfer_pattern.o: lab/xfer_pattern.c lab/xfer_pattern.h
lab/xfer_pattern.h:

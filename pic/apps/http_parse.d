pic/apps/http_parse.o: apps/http_parse.c apps/http_parse.h
apps/http_parse.h:

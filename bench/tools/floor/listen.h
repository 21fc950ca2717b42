/* The listening socket of both floors: 127.0.0.1:port, SO_REUSEADDR, a deep backlog. */
#ifndef FLOOR_LISTEN_H
#define FLOOR_LISTEN_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static int floor_listen(int port, int flags) {
  const int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
  const int one = 1;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr*)&address, sizeof address) != 0 || listen(fd, 4096) != 0) {
    perror("floor: cannot listen");
    exit(1);
  }
  fprintf(stderr, "listening on 127.0.0.1:%d\n", port);
  return fd;
}

#endif

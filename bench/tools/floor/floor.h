/* What both floor responders share: the constant response, the request counter and the
 * command line. A floor answers every request with the same 88 bytes coring's hello
 * sends and does nothing else: it does not parse, it only counts the blank lines that
 * end requests (so pipelined requests each get their answer). The Date is the one of
 * the start: a constant. */
#ifndef FLOOR_H
#define FLOOR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Responses sent by one send/write at most; more requests in one read take more. */
#define FLOOR_BATCH 64
#define FLOOR_RESPONSE_SIZE 88

static char floor_responses[FLOOR_BATCH * FLOOR_RESPONSE_SIZE];

/* Fills floor_responses with FLOOR_BATCH copies of the 88-byte hello response. */
static void floor_build_responses(void) {
  char date[40];
  const time_t now = time(NULL);
  struct tm utc;
  gmtime_r(&now, &utc);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  char one[FLOOR_RESPONSE_SIZE + 1];
  const int n = snprintf(one, sizeof one,
                         "HTTP/1.1 200 OK\r\ncontent-length: 12\r\ndate: %s\r\n\r\nHello world!", date);
  if (n != FLOOR_RESPONSE_SIZE) {
    fprintf(stderr, "floor: response is %d bytes, not %d\n", n, FLOOR_RESPONSE_SIZE);
    exit(1);
  }
  for (int i = 0; i < FLOOR_BATCH; i++) memcpy(floor_responses + i * FLOOR_RESPONSE_SIZE, one, n);
}

/* Counts the "\r\n\r\n" that end requests in data; *matched carries how much of one was
 * seen at the end of the previous read of this connection (0..3). */
static unsigned floor_count_requests(const char* data, size_t size, unsigned char* matched) {
  static const char end[4] = {'\r', '\n', '\r', '\n'};
  unsigned requests = 0;
  unsigned m = *matched;
  for (size_t i = 0; i < size; i++) {
    if (data[i] == end[m]) {
      if (++m == 4) {
        requests++;
        m = 0;
      }
    } else {
      m = data[i] == '\r' ? 1 : 0;
    }
  }
  *matched = (unsigned char)m;
  return requests;
}

/* "--port N" (the only argument); exits 2 with a message otherwise. */
static int floor_parse_port(int argc, char** argv, const char* program) {
  char* end = NULL;
  const long port = argc == 3 && strcmp(argv[1], "--port") == 0 ? strtol(argv[2], &end, 10) : -1;
  if (port < 1 || port > 65535 || *end != '\0') {
    fprintf(stderr, "usage: %s --port N\n", program);
    exit(2);
  }
  return (int)port;
}

#endif

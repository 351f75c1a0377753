// newEvbufferBio: see evbuffer_bio.h.
#include "core/tls/evbuffer_bio.h"

#include <openssl/bio.h>

#include <climits>

namespace weft::tls {
namespace {

evbuffer* bufferOf(BIO* bio) { return static_cast<evbuffer*>(BIO_get_data(bio)); }

int bioRead(BIO* bio, char* out, int length) {
  BIO_clear_retry_flags(bio);
  const int n = evbuffer_remove(bufferOf(bio), out, static_cast<size_t>(length));
  if (n > 0) return n;
  BIO_set_retry_read(bio);
  return -1;
}

int bioWrite(BIO* bio, const char* in, int length) {
  BIO_clear_retry_flags(bio);
  return evbuffer_add(bufferOf(bio), in, static_cast<size_t>(length)) == 0 ? length : -1;
}

long bioCtrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // everything written is already in the buffer
    case BIO_CTRL_PENDING: {
      const size_t held = evbuffer_get_length(bufferOf(bio));
      return held > LONG_MAX ? LONG_MAX : static_cast<long>(held);
    }
    default:
      return 0;  // WPENDING, PUSH, POP, kTLS queries, ...: nothing to do or report
  }
}

BIO_METHOD* makeMethod() {
  BIO_METHOD* method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "weft evbuffer");
  if (method == nullptr) return nullptr;
  BIO_meth_set_read(method, bioRead);
  BIO_meth_set_write(method, bioWrite);
  BIO_meth_set_ctrl(method, bioCtrl);
  return method;
}

}  // namespace

BIO* newEvbufferBio(evbuffer* buffer) {
  static BIO_METHOD* const method = makeMethod();  // one per process, never freed
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, buffer);
  BIO_set_init(bio, 1);
  return bio;
}

}  // namespace weft::tls

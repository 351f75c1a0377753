// takeOpenSslError: see openssl.h.
#include "core/tls/openssl.h"

#include <openssl/err.h>

namespace weft::tls {

std::string takeOpenSslError(std::string_view fallback) {
  const unsigned long code = ERR_peek_error();
  std::string text;
  if (code == 0) {
    text = fallback;
  } else if (const char* reason = ERR_reason_error_string(code)) {
    text = reason;
  } else {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text = buffer;
  }
  ERR_clear_error();
  return text;
}

}  // namespace weft::tls

#include "fuzz/http_response_text.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace livestream_gateway::fuzz {
namespace {

// The next line of `*text` without its LF or CRLF, removed from `*text`.
absl::string_view ConsumeLine(absl::string_view* text) {
  const size_t end = text->find('\n');
  absl::string_view line = text->substr(0, end);
  text->remove_prefix(end == absl::string_view::npos ? text->size() : end + 1);
  absl::ConsumeSuffix(&line, "\r");
  return line;
}

}  // namespace

std::optional<HttpResponse> ParseResponseText(absl::string_view text) {
  HttpResponse response;
  absl::string_view status_line = ConsumeLine(&text);
  response.body_truncated = absl::ConsumeSuffix(&status_line, " truncated");
  // Digits only: SimpleAtoi would also take a sign or spaces.
  if (status_line.empty() || status_line.size() > 3 ||
      !std::all_of(status_line.begin(), status_line.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
      !absl::SimpleAtoi(status_line, &response.status_code)) {
    return std::nullopt;
  }
  while (!text.empty()) {
    const absl::string_view line = ConsumeLine(&text);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string name(absl::StripAsciiWhitespace(line.substr(0, colon)));
    absl::AsciiStrToLower(&name);
    response.headers.emplace_back(std::move(name),
                                  std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  response.body = std::string(text);
  return response;
}

}  // namespace livestream_gateway::fuzz

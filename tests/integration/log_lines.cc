#include "tests/integration/log_lines.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace livestream_gateway::testing {
namespace {

absl::Status Bad(absl::string_view why, absl::string_view line) {
  return absl::InvalidArgumentError(absl::StrCat(why, ": ", line));
}

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

bool IsBareChar(char c) { return c > ' ' && c < 0x7F && c != '=' && c != '"' && c != '\\'; }

void AppendUtf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<uint8_t>(text[i]);
    int extra = 0;
    uint32_t min = 0;
    uint32_t c = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, c = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, c = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, c = b & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      c = (c << 6) | (next & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// RFC 3339 UTC with milliseconds, `d` standing for a digit.
constexpr absl::string_view kTimeShape = "dddd-dd-ddTdd:dd:dd.dddZ";

bool IsLogTime(absl::string_view time) {
  if (time.size() != kTimeShape.size()) return false;
  for (size_t i = 0; i < time.size(); ++i) {
    if (kTimeShape[i] == 'd' ? !absl::ascii_isdigit(time[i]) : time[i] != kTimeShape[i]) {
      return false;
    }
  }
  return true;
}

absl::Status CheckCommonFields(const LogRecord& record, absl::string_view line) {
  auto time = record.find("time");
  if (time == record.end() || !IsLogTime(time->second)) {
    return Bad("no RFC 3339 UTC time with milliseconds", line);
  }
  auto level = record.find("level");
  if (level == record.end() || (level->second != "debug" && level->second != "info" &&
                                level->second != "warn" && level->second != "error")) {
    return Bad("no valid level", line);
  }
  if (!record.contains("msg")) return Bad("no msg", line);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogRecord> ParseLogfmtLine(absl::string_view line) {
  LogRecord record;
  std::vector<std::string> keys;
  size_t i = 0;
  while (true) {
    const size_t key_start = i;
    while (i < line.size() && IsKeyChar(line[i])) ++i;
    if (i == key_start || i >= line.size() || line[i] != '=') return Bad("bad key", line);
    std::string key(line.substr(key_start, i - key_start));
    ++i;  // '='
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i];
        const auto byte = static_cast<uint8_t>(c);
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (byte < 0x20 || byte == 0x7F) return Bad("raw control character", line);
        if (c != '\\') {
          value.push_back(c);
          ++i;
          continue;
        }
        if (i + 1 >= line.size()) return Bad("dangling escape", line);
        const char e = line[i + 1];
        i += 2;
        switch (e) {
          case '"':
          case '\\':
            value.push_back(e);
            break;
          case 'n':
            value.push_back('\n');
            break;
          case 'r':
            value.push_back('\r');
            break;
          case 't':
            value.push_back('\t');
            break;
          case 'u': {
            uint32_t code = 0;
            if (i + 4 > line.size() ||
                line.substr(i, 4).find_first_not_of("0123456789abcdef") !=
                    absl::string_view::npos ||
                !absl::SimpleHexAtoi(line.substr(i, 4), &code)) {
              return Bad("bad \\u escape", line);
            }
            AppendUtf8(value, code);
            i += 4;
            break;
          }
          default:
            return Bad("unknown escape", line);
        }
      }
      if (!closed) return Bad("unterminated quote", line);
    } else {
      const size_t value_start = i;
      while (i < line.size() && IsBareChar(line[i])) ++i;
      if (i == value_start) return Bad("empty bare value", line);
      value = std::string(line.substr(value_start, i - value_start));
    }
    if (!record.emplace(key, std::move(value)).second) return Bad("duplicate key", line);
    keys.push_back(std::move(key));
    if (i == line.size()) break;
    if (line[i] != ' ' || i + 1 == line.size()) return Bad("bad separator", line);
    ++i;
  }
  if (keys.size() < 3 || keys[0] != "time" || keys[1] != "level" || keys[2] != "msg") {
    return Bad("does not start with time, level, msg", line);
  }
  if (absl::Status common = CheckCommonFields(record, line); !common.ok()) return common;
  return record;
}

absl::StatusOr<LogRecord> ParseJsonLogLine(absl::string_view line) {
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(std::string(line), &object).ok()) {
    return Bad("not a JSON object", line);
  }
  LogRecord record;
  for (const auto& [key, value] : object.fields()) {
    if (value.has_string_value()) {
      record[key] = value.string_value();
    } else if (value.has_number_value()) {
      record[key] = absl::StrCat(value.number_value());
    } else {
      return Bad(absl::StrCat("field ", key, " is neither a string nor a number"), line);
    }
  }
  for (const char* key : {"time", "level", "msg"}) {
    auto field = object.fields().find(key);
    if (field == object.fields().end() || !field->second.has_string_value()) {
      return Bad(absl::StrCat(key, " is not a string"), line);
    }
  }
  if (absl::Status common = CheckCommonFields(record, line); !common.ok()) return common;
  return record;
}

absl::StatusOr<std::vector<LogRecord>> ParseLogLines(absl::string_view text, bool json) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("the log is not valid UTF-8");
  if (!text.empty() && text.back() != '\n') return Bad("the last line has no newline", text);
  std::vector<LogRecord> records;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StatusOr<LogRecord> record = json ? ParseJsonLogLine(line) : ParseLogfmtLine(line);
    if (!record.ok()) return record.status();
    records.push_back(*std::move(record));
  }
  return records;
}

std::vector<LogRecord> ExpectLogfmtLines(absl::string_view text) {
  absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(text, /*json=*/false);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *std::move(records) : std::vector<LogRecord>();
}

std::vector<LogRecord> WithMessage(const std::vector<LogRecord>& records,
                                   absl::string_view message) {
  std::vector<LogRecord> matching;
  for (const LogRecord& record : records) {
    if (record.at("msg") == message) matching.push_back(record);
  }
  return matching;
}

}  // namespace livestream_gateway::testing

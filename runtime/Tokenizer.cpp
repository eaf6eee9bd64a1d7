//===- Tokenizer.cpp - GPT-2 style byte-level BPE tokenizer ----------------===//
//
// Encoding follows llama.cpp (llama-vocab.cpp, unicode.cpp) step by step:
//
//  1. Special tokens: for each control/unknown/user-defined token, longest
//     text first, every occurrence in the not yet matched text becomes that
//     token (left to right, no overlaps).
//  2. The rest is decoded to codepoints leniently (an invalid byte becomes
//     U+FFFD; overlong forms and surrogates pass) and pre-tokenized into
//     words: smollm first splits off each \p{N} codepoint, then within each
//     piece the gpt2 rules (llama.cpp's hand-written version of
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+).
//  3. Each word, re-encoded to UTF-8, starts as one symbol per byte and the
//     adjacent pair of lowest merge rank (leftmost on ties) is merged until
//     none is left. A symbol that is no token falls back to the tokens of its
//     mapped text's single bytes, if any.
//
// The saved file is text, one item a line:
//
//   qforge-tokenizer 1
//   pre smollm
//   bos 1
//   eos 2
//   unk 0
//   add-bos 0
//   tokens 49152
//   3 <|endoftext|>        (type, one space, text)
//   1 Ġthe
//   ...
//   merges 48900
//   Ġ t                    (first, one space, second)
//   ...
//   end
//
// In texts a backslash is written `\\` and the bytes 0x00-0x20 and 0x7F as
// `\xHH`, so no text holds a line break or a space; other bytes are as is.
//===----------------------------------------------------------------------===//
#include "runtime/Tokenizer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace qforge::runtime;

namespace {

struct CodepointRange {
  uint32_t first, last;
};

#include "runtime/UnicodeTables.inc"

constexpr int kFileVersion = 1;
constexpr uint32_t kReplacementCharacter = 0xFFFD;

enum class CharClass : uint8_t { Other, Letter, Number, Whitespace };

template <size_t N> bool inRanges(const CodepointRange (&table)[N], uint32_t cp) {
  const CodepointRange *it =
      std::upper_bound(std::begin(table), std::end(table), cp,
                       [](uint32_t value, const CodepointRange &r) { return value < r.first; });
  return it != std::begin(table) && cp <= std::prev(it)->last;
}

CharClass classify(uint32_t cp) {
  static const std::array<CharClass, 128> ascii = [] {
    std::array<CharClass, 128> table{};
    for (uint32_t c = 0; c < 128; ++c)
      table[c] = inRanges(kLetterRanges, c)       ? CharClass::Letter
                 : inRanges(kNumberRanges, c)     ? CharClass::Number
                 : inRanges(kWhitespaceRanges, c) ? CharClass::Whitespace
                                                  : CharClass::Other;
    return table;
  }();
  if (cp < 128)
    return ascii[cp];
  if (inRanges(kLetterRanges, cp))
    return CharClass::Letter;
  if (inRanges(kNumberRanges, cp))
    return CharClass::Number;
  if (inRanges(kWhitespaceRanges, cp))
    return CharClass::Whitespace;
  return CharClass::Other;
}

/// Decodes the codepoint at `pos` as llama.cpp does: lead and continuation
/// bits are checked, overlong forms and surrogates are not. On an invalid
/// sequence returns U+FFFD and advances one byte.
uint32_t nextCodepoint(std::string_view s, size_t &pos) {
  uint8_t lead = uint8_t(s[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  size_t length;
  uint32_t cp;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    ++pos;
    return kReplacementCharacter;
  }
  if (s.size() - pos < length) {
    ++pos;
    return kReplacementCharacter;
  }
  for (size_t i = 1; i < length; ++i) {
    uint8_t next = uint8_t(s[pos + i]);
    if ((next & 0xC0) != 0x80) {
      ++pos;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp > 0x10FFFF) {
    ++pos;
    return kReplacementCharacter;
  }
  pos += length;
  return cp;
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

/// GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves,
/// the others for U+0100 upwards in byte order.
std::array<uint32_t, 256> byteToCodepoint() {
  std::array<uint32_t, 256> map{};
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    map[b] = printable ? b : next++;
  }
  return map;
}

/// Splits `cps[begin, end)` into words by the gpt2 rules, as llama.cpp's
/// unicode_regex_split_custom_gpt2 does, calling `emit(wordEnd)` per word.
template <typename Emit>
void splitGpt2(const std::vector<uint32_t> &cps, const std::vector<CharClass> &classes,
               size_t begin, size_t end, Emit emit) {
  // Outside the piece nothing matches, not even [^\s\p{L}\p{N}].
  constexpr int kOutside = -1;
  auto classAt = [&](size_t i) { return i < end ? int(classes[i]) : kOutside; };
  size_t pos = begin;
  while (pos < end) {
    uint32_t cp = cps[pos];
    if (cp == '\'' && pos + 1 < end) {
      uint32_t next = cps[pos + 1];
      if (next == 's' || next == 't' || next == 'm' || next == 'd') {
        emit(pos += 2);
        continue;
      }
      if (pos + 2 < end) {
        uint32_t after = cps[pos + 2];
        if ((next == 'r' && after == 'e') || (next == 'v' && after == 'e') ||
            (next == 'l' && after == 'l')) {
          emit(pos += 3);
          continue;
        }
      }
    }
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: only U+0020 may lead.
    int run = cp == ' ' ? classAt(pos + 1) : classAt(pos);
    if (run == int(CharClass::Letter) || run == int(CharClass::Number) ||
        run == int(CharClass::Other)) {
      if (cp == ' ')
        ++pos;
      while (classAt(pos) == run)
        ++pos;
      emit(pos);
      continue;
    }
    size_t spaces = 0;
    while (classAt(pos + spaces) == int(CharClass::Whitespace))
      ++spaces;
    if (spaces > 1 && pos + spaces < end) {
      // `\s+(?!\S)`: the last whitespace goes with what follows.
      emit(pos += spaces - 1);
    } else if (spaces > 0) {
      emit(pos += spaces);
    } else {
      emit(++pos);
    }
  }
}

bool isSpecialKind(TokenType kind) {
  return kind == TokenType::Control || kind == TokenType::UserDefined || kind == TokenType::Unknown;
}

std::string escapeText(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    uint8_t b = uint8_t(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (b <= 0x20 || b == 0x7F) {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    } else {
      out += c;
    }
  }
  return out;
}

bool unescapeText(std::string_view text, std::string &out) {
  out.clear();
  auto hexValue = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t b = uint8_t(text[i]);
    if (b <= 0x20 || b == 0x7F)
      return false;
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    if (i + 3 >= text.size() || text[i + 1] != 'x')
      return false;
    int high = hexValue(text[i + 2]), low = hexValue(text[i + 3]);
    if (high < 0 || low < 0)
      return false;
    out += char(high * 16 + low);
    i += 3;
  }
  return true;
}

bool parseInt(std::string_view text, int64_t &value) {
  const char *end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && !text.empty();
}

/// Token texts llama.cpp gives a role to (llama_vocab::impl::load). Of each
/// single-role list one token is chosen; every token of kEndOfGeneration is
/// an end of generation.
const char *const kEndOfTurn[] = {
    "<|eot_id|>",        "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>",     "<EOT>",      "_<EOT>",  "<｜end▁of▁sentence｜>",
    "<end_of_utterance>"};
const char *const kEndOfMessage[] = {"<|eom_id|>"};
const char *const kFimPrefix[] = {"<|fim_prefix|>",  "<fim-prefix>", "<fim_prefix>",
                                  "<｜fim▁begin｜>", "<PRE>",        "▁<PRE>",
                                  "<|code_prefix|>"};
const char *const kFimSuffix[] = {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
                                  "<｜fim▁hole｜>", "<SUF>",        "▁<SUF>",
                                  "<|code_suffix|>"};
const char *const kFimMiddle[] = {"<|fim_middle|>", "<fim-middle>", "<fim_middle>",
                                  "<｜fim▁end｜>",  "<MID>",        "▁<MID>",
                                  "<|code_middle|>"};
const char *const kFimPad[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"};
const char *const kFimRepo[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
                                "<reponame>"};
const char *const kFimSeparator[] = {"<|file_sep|>"};
const char *const kEndOfGeneration[] = {"<|eot_id|>",    "<|im_end|>",      "<|end|>",
                                        "<|return|>",    "<|call|>",        "<end_of_turn>",
                                        "<|endoftext|>", "<|eom_id|>",      "<EOT>",
                                        "_<EOT>",        "<|end_of_text|>", "<end_of_utterance>"};

} // namespace

std::unique_ptr<Tokenizer> Tokenizer::create(TokenizerVocab vocab, std::string &error) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
  tokenizer->vocab_ = std::move(vocab);
  if (!tokenizer->init(error))
    return nullptr;
  return tokenizer;
}

bool Tokenizer::init(std::string &error) {
  TokenizerVocab &v = vocab_;
  if (v.pre == "smollm") {
    pre_ = PreTokenizer::SmolLM;
  } else if (v.pre == "gpt2" || v.pre == "gpt-2") {
    pre_ = PreTokenizer::Gpt2;
  } else {
    error = "unsupported pre-tokenizer '" + v.pre + "' (supported: gpt2, gpt-2, smollm)";
    return false;
  }
  size_t n = v.tokens.size();
  if (n == 0 || n > size_t(INT32_MAX)) {
    error = "vocabulary has " + std::to_string(n) + " tokens";
    return false;
  }
  if (v.types.empty())
    v.types.assign(n, int32_t(TokenType::Normal));
  if (v.types.size() != n) {
    error = std::to_string(v.types.size()) + " token types for " + std::to_string(n) + " tokens";
    return false;
  }
  auto checkId = [&](int32_t id, const char *what) {
    if (id >= -1 && id < int64_t(n))
      return true;
    error = std::string(what) + " token id " + std::to_string(id) + " is out of range (" +
            std::to_string(n) + " tokens)";
    return false;
  };
  if (!checkId(v.bos, "bos") || !checkId(v.eos, "eos") || !checkId(v.unk, "unk"))
    return false;
  if (v.addBos && v.bos < 0) {
    error = "add-bos is set but there is no bos token";
    return false;
  }

  kinds_.resize(n);
  idOfText_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (v.types[i] < 0 || v.types[i] > int32_t(TokenType::Byte)) {
      error = "token " + std::to_string(i) + " has unknown type " + std::to_string(v.types[i]);
      return false;
    }
    kinds_[i] = TokenType(v.types[i]);
    // Like llama.cpp: an empty text is named after its id, and no two tokens
    // may have the same text.
    if (v.tokens[i].empty())
      v.tokens[i] = "[EMPTY_" + std::to_string(i) + "]";
    auto [it, inserted] = idOfText_.emplace(v.tokens[i], int32_t(i));
    if (!inserted) {
      error =
          "token " + std::to_string(i) + " repeats the text of token " + std::to_string(it->second);
      return false;
    }
  }

  merges_.reserve(v.merges.size());
  for (size_t rank = 0; rank < v.merges.size(); ++rank) {
    const std::string &merge = v.merges[rank];
    size_t space = merge.find(' ', 1);
    auto where = [&] { return "merge " + std::to_string(rank) + " '" + merge + "'"; };
    if (space == std::string::npos) {
      error = where() + " is not two tokens separated by a space";
      return false;
    }
    auto left = idOfText_.find(merge.substr(0, space));
    auto right = idOfText_.find(merge.substr(space + 1));
    auto result = idOfText_.find(merge.substr(0, space) + merge.substr(space + 1));
    if (left == idOfText_.end() || right == idOfText_.end()) {
      error = where() + " names a text that is no token";
      return false;
    }
    if (result == idOfText_.end()) {
      error = where() + " makes a text that is no token";
      return false;
    }
    uint64_t key = uint64_t(uint32_t(left->second)) << 32 | uint32_t(right->second);
    merges_.emplace(key, Merge{int32_t(rank), result->second}); // first rank wins
  }

  std::array<uint32_t, 256> byteCodepoint = byteToCodepoint();
  for (int b = 0; b < 256; ++b) {
    std::string mapped;
    appendUtf8(mapped, byteCodepoint[b]);
    auto it = idOfText_.find(mapped);
    byteToken_[b] = it == idOfText_.end() ? -1 : it->second;
    byteFallback_[b].clear();
    for (char c : mapped) {
      auto single = idOfText_.find(std::string(1, c));
      if (single != idOfText_.end())
        byteFallback_[b].push_back(single->second);
    }
  }

  // Roles llama.cpp finds by token text; their tokens become control tokens.
  endOfGeneration_.assign(n, false);
  auto lowestId = [&](auto &texts) {
    int32_t best = -1;
    for (const char *text : texts) {
      auto it = idOfText_.find(text);
      if (it != idOfText_.end() && (best < 0 || it->second < best))
        best = it->second;
    }
    return best;
  };
  auto assignRole = [&](auto &texts, bool endsGeneration) {
    int32_t id = lowestId(texts);
    if (id < 0)
      return;
    kinds_[id] = TokenType::Control;
    if (endsGeneration)
      endOfGeneration_[id] = true;
  };
  assignRole(kEndOfTurn, true);
  assignRole(kEndOfMessage, true);
  assignRole(kFimPrefix, false);
  assignRole(kFimSuffix, false);
  assignRole(kFimMiddle, false);
  assignRole(kFimPad, true);
  assignRole(kFimRepo, true);
  assignRole(kFimSeparator, true);
  for (const char *text : kEndOfGeneration) {
    auto it = idOfText_.find(text);
    if (it == idOfText_.end())
      continue;
    kinds_[it->second] = TokenType::Control;
    endOfGeneration_[it->second] = true;
  }
  if (v.eos >= 0)
    endOfGeneration_[v.eos] = true;

  specialTokens_.clear();
  for (size_t i = 0; i < n; ++i)
    if (isSpecialKind(kinds_[i]))
      specialTokens_.push_back(int32_t(i));
  std::sort(specialTokens_.begin(), specialTokens_.end(), [&](int32_t a, int32_t b) {
    size_t sizeA = v.tokens[a].size(), sizeB = v.tokens[b].size();
    return sizeA != sizeB ? sizeA > sizeB : a < b;
  });

  std::unordered_map<uint32_t, uint8_t> codepointByte;
  for (int b = 0; b < 256; ++b)
    codepointByte[byteCodepoint[b]] = uint8_t(b);
  pieces_.assign(n, std::string());
  for (size_t i = 0; i < n; ++i) {
    const std::string &text = v.tokens[i];
    if (isSpecialKind(kinds_[i])) {
      pieces_[i] = text;
      continue;
    }
    if (kinds_[i] != TokenType::Normal)
      continue;
    std::string &piece = pieces_[i];
    for (size_t pos = 0; pos < text.size();) {
      uint32_t cp = nextCodepoint(text, pos);
      auto it = codepointByte.find(cp);
      if (it != codepointByte.end()) {
        piece += char(it->second);
        continue;
      }
      // llama.cpp's marker for a codepoint outside the byte alphabet.
      static const char hex[] = "0123456789abcdef";
      std::string utf8;
      appendUtf8(utf8, cp);
      piece += "[UNK_BYTE_0x";
      for (char c : utf8) {
        piece += hex[uint8_t(c) >> 4];
        piece += hex[uint8_t(c) & 15];
      }
      piece += text + "]";
    }
  }
  return true;
}

std::vector<Tokenizer::Fragment> Tokenizer::splitSpecial(std::string_view text,
                                                         bool parseSpecial) const {
  std::vector<Fragment> fragments;
  if (text.empty())
    return fragments;
  fragments.push_back({0, text.size(), -1});
  std::vector<Fragment> next;
  for (int32_t id : specialTokens_) {
    if (!parseSpecial && kinds_[id] != TokenType::UserDefined)
      continue;
    const std::string &special = vocab_.tokens[id];
    if (text.find(special) == std::string_view::npos)
      continue;
    next.clear();
    for (const Fragment &f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t pos = f.offset, end = f.offset + f.length;
      while (pos < end) {
        size_t match = text.substr(0, end).find(special, pos);
        if (match == std::string_view::npos)
          break;
        if (match > pos)
          next.push_back({pos, match - pos, -1});
        next.push_back({match, special.size(), id});
        pos = match + special.size();
      }
      if (pos < end)
        next.push_back({pos, end - pos, -1});
    }
    fragments.swap(next);
  }
  return fragments;
}

struct Tokenizer::Scratch {
  struct Symbol {
    int32_t id;
    int32_t prev, next; // -1 at the ends
  };
  struct Candidate {
    int32_t rank, left, right, leftId, rightId, result;
  };
  std::vector<uint32_t> codepoints;
  std::vector<CharClass> classes;
  std::string word;
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

template <typename EmitWord>
void Tokenizer::splitWords(std::string_view text, Scratch &scratch, EmitWord emitWord) const {
  std::vector<uint32_t> &cps = scratch.codepoints;
  std::vector<CharClass> &classes = scratch.classes;
  cps.clear();
  classes.clear();
  for (size_t pos = 0; pos < text.size();) {
    cps.push_back(nextCodepoint(text, pos));
    classes.push_back(classify(cps.back()));
  }

  std::string &word = scratch.word;
  size_t wordBegin = 0;
  auto emit = [&](size_t wordEnd) {
    word.clear();
    for (size_t i = wordBegin; i < wordEnd; ++i)
      appendUtf8(word, cps[i]);
    wordBegin = wordEnd;
    emitWord(std::string_view(word));
  };
  if (pre_ == PreTokenizer::Gpt2) {
    splitGpt2(cps, classes, 0, cps.size(), emit);
    return;
  }
  // smollm: `\p{N}` first, each number codepoint a piece of its own.
  size_t pieceBegin = 0;
  for (size_t i = 0; i <= cps.size(); ++i) {
    if (i < cps.size() && classes[i] != CharClass::Number)
      continue;
    if (i > pieceBegin) {
      wordBegin = pieceBegin;
      splitGpt2(cps, classes, pieceBegin, i, emit);
    }
    if (i < cps.size()) {
      wordBegin = i;
      emit(i + 1);
    }
    pieceBegin = i + 1;
  }
}

std::vector<std::string> Tokenizer::preTokenize(std::string_view text) const {
  Scratch scratch;
  std::vector<std::string> words;
  splitWords(text, scratch, [&](std::string_view word) { words.emplace_back(word); });
  return words;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parseSpecial) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (vocab_.addBos)
    out.push_back(vocab_.bos);
  Scratch scratch;
  for (const Fragment &f : splitSpecial(text, parseSpecial)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      continue;
    }
    splitWords(text.substr(f.offset, f.length), scratch,
               [&](std::string_view word) { encodeWord(word, scratch, out); });
  }
  return out;
}

void Tokenizer::encodeWord(std::string_view word, Scratch &scratch,
                           std::vector<int32_t> &out) const {
  auto emitSymbol = [&](int32_t id, uint8_t byte) {
    if (id >= 0)
      out.push_back(id);
    else
      out.insert(out.end(), byteFallback_[byte].begin(), byteFallback_[byte].end());
  };
  if (word.size() == 1) {
    emitSymbol(byteToken_[uint8_t(word[0])], uint8_t(word[0]));
    return;
  }

  using Candidate = Scratch::Candidate;
  // A min-heap on (rank, left): llama.cpp merges the lowest rank, leftmost.
  auto later = [](const Candidate &a, const Candidate &b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  std::vector<Scratch::Symbol> &symbols = scratch.symbols;
  std::vector<Candidate> &heap = scratch.heap;
  heap.clear();
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0)
      return;
    int32_t leftId = symbols[left].id, rightId = symbols[right].id;
    if (leftId < 0 || rightId < 0)
      return;
    auto it = merges_.find(uint64_t(uint32_t(leftId)) << 32 | uint32_t(rightId));
    if (it == merges_.end())
      return;
    heap.push_back({it->second.rank, left, right, leftId, rightId, it->second.result});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  int32_t count = int32_t(word.size());
  symbols.resize(word.size());
  for (int32_t i = 0; i < count; ++i)
    symbols[i] = {byteToken_[uint8_t(word[i])], i - 1, i + 1 < count ? i + 1 : -1};
  for (int32_t i = 1; i < count; ++i)
    consider(i - 1, i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Candidate c = heap.back();
    heap.pop_back();
    Scratch::Symbol &left = symbols[c.left];
    Scratch::Symbol &right = symbols[c.right];
    // Stale once either side has merged since (ids change, or right is gone).
    if (left.next != c.right || left.id != c.leftId || right.id != c.rightId)
      continue;
    left.id = c.result;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = c.left;
    right.id = -1;
    right.prev = right.next = -2; // unlinked
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next)
    emitSymbol(symbols[i].id, uint8_t(word[i]));
}

const std::string &Tokenizer::decode(int32_t token) const {
  static const std::string empty;
  if (token < 0 || size_t(token) >= pieces_.size())
    return empty;
  return pieces_[token];
}

bool Tokenizer::isEndOfGeneration(int32_t token) const {
  return token >= 0 && size_t(token) < endOfGeneration_.size() && endOfGeneration_[token];
}

bool Tokenizer::save(const std::string &path, std::string &error) const {
  std::ostringstream os;
  os << "qforge-tokenizer " << kFileVersion << "\n"
     << "pre " << vocab_.pre << "\n"
     << "bos " << vocab_.bos << "\n"
     << "eos " << vocab_.eos << "\n"
     << "unk " << vocab_.unk << "\n"
     << "add-bos " << (vocab_.addBos ? 1 : 0) << "\n"
     << "tokens " << vocab_.tokens.size() << "\n";
  for (size_t i = 0; i < vocab_.tokens.size(); ++i)
    os << vocab_.types[i] << " " << escapeText(vocab_.tokens[i]) << "\n";
  os << "merges " << vocab_.merges.size() << "\n";
  for (const std::string &merge : vocab_.merges) {
    size_t space = merge.find(' ', 1);
    os << escapeText(merge.substr(0, space)) << " " << escapeText(merge.substr(space + 1)) << "\n";
  }
  os << "end\n";
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    error = "cannot write " + path;
    return false;
  }
  std::string text = os.str();
  file.write(text.data(), std::streamsize(text.size()));
  file.close();
  if (!file) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string &path, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open " + path;
    return nullptr;
  }
  std::string line;
  int64_t lineNo = 0;
  auto fail = [&](const std::string &message) {
    error = path + ":" + std::to_string(lineNo) + ": " + message;
    return nullptr;
  };
  auto nextLine = [&]() -> bool {
    if (!std::getline(file, line))
      return false;
    ++lineNo;
    return true;
  };
  // The line of item i of `count`; at the end of the file, an error saying how
  // many came.
  auto nextItem = [&](int64_t i, int64_t count, const char *what) {
    if (nextLine())
      return true;
    ++lineNo;
    fail("file ends after " + std::to_string(i) + " of " + std::to_string(count) + " " + what);
    return false;
  };
  // `key value`, value a whole number within [min, max].
  auto readNumber = [&](std::string_view key, int64_t min, int64_t max, int64_t &value) {
    if (!nextLine()) {
      ++lineNo;
      error =
          path + ":" + std::to_string(lineNo) + ": file ends, expected '" + std::string(key) + "'";
      return false;
    }
    std::string_view rest(line);
    if (rest.substr(0, key.size()) != key || rest.size() <= key.size() || rest[key.size()] != ' ' ||
        !parseInt(rest.substr(key.size() + 1), value) || value < min || value > max) {
      error = path + ":" + std::to_string(lineNo) + ": expected '" + std::string(key) +
              " <number>' (" + std::to_string(min) + " to " + std::to_string(max) + ")";
      return false;
    }
    return true;
  };

  TokenizerVocab vocab;
  int64_t version = 0;
  if (!nextLine() || line.rfind("qforge-tokenizer ", 0) != 0)
    return fail("not a qforge tokenizer file (expected 'qforge-tokenizer " +
                std::to_string(kFileVersion) + "')");
  if (!parseInt(std::string_view(line).substr(17), version) || version != kFileVersion)
    return fail("tokenizer file version '" + line.substr(17) + "', this runtime reads " +
                std::to_string(kFileVersion));
  if (!nextLine() || line.rfind("pre ", 0) != 0)
    return fail("expected 'pre <name>'");
  vocab.pre = line.substr(4);
  int64_t bos, eos, unk, addBos, tokenCount, mergeCount;
  constexpr int64_t kMaxCount = INT32_MAX;
  if (!readNumber("bos", -1, kMaxCount, bos) || !readNumber("eos", -1, kMaxCount, eos) ||
      !readNumber("unk", -1, kMaxCount, unk) || !readNumber("add-bos", 0, 1, addBos) ||
      !readNumber("tokens", 1, kMaxCount, tokenCount))
    return nullptr;
  vocab.bos = int32_t(bos);
  vocab.eos = int32_t(eos);
  vocab.unk = int32_t(unk);
  vocab.addBos = addBos != 0;
  // Reserve no more than a corrupt count could make us allocate for nothing.
  vocab.tokens.reserve(size_t(std::min<int64_t>(tokenCount, 1 << 20)));
  vocab.types.reserve(size_t(std::min<int64_t>(tokenCount, 1 << 20)));
  std::string text;
  for (int64_t i = 0; i < tokenCount; ++i) {
    if (!nextItem(i, tokenCount, "tokens"))
      return nullptr;
    size_t space = line.find(' ');
    int64_t type;
    if (space == std::string::npos || !parseInt(std::string_view(line).substr(0, space), type) ||
        type < INT32_MIN || type > INT32_MAX)
      return fail("expected '<type> <text>' for token " + std::to_string(i));
    if (!unescapeText(std::string_view(line).substr(space + 1), text))
      return fail("bad escape or raw control byte in the text of token " + std::to_string(i));
    vocab.types.push_back(int32_t(type));
    vocab.tokens.push_back(text);
  }
  if (!readNumber("merges", 0, kMaxCount, mergeCount))
    return nullptr;
  vocab.merges.reserve(size_t(std::min<int64_t>(mergeCount, 1 << 20)));
  std::string first, second;
  for (int64_t i = 0; i < mergeCount; ++i) {
    if (!nextItem(i, mergeCount, "merges"))
      return nullptr;
    size_t space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos ||
        !unescapeText(std::string_view(line).substr(0, space), first) ||
        !unescapeText(std::string_view(line).substr(space + 1), second))
      return fail("expected '<first> <second>' for merge " + std::to_string(i));
    vocab.merges.push_back(first + " " + second);
  }
  if (!nextLine()) {
    ++lineNo;
    return fail("file ends before 'end'");
  }
  if (line != "end")
    return fail("expected 'end'");
  std::string problem;
  std::unique_ptr<Tokenizer> tokenizer = create(std::move(vocab), problem);
  if (!tokenizer)
    error = path + ": " + problem;
  return tokenizer;
}

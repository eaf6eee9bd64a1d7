//===- Tokenizer.h - GPT-2 style byte-level BPE tokenizer ------*- C++ -*-===//
//
// Tokenizes text the way llama.cpp does for a GGUF vocabulary of model
// "gpt2" (byte-level BPE): the same ids for the same bytes. Supported
// pre-tokenizers are "gpt2" (llama.cpp's name: "gpt-2"; both are accepted)
// and "smollm" (the gpt2 split, with every \p{N} codepoint split off on its
// own first).
//
// Where llama.cpp itself is not well defined the choice here is
// deterministic: of special tokens of equal length the lower id is tried
// first, and of several tokens llama.cpp would pick by hash order for one
// role (EOT, FIM...) the lowest id. A 4-byte UTF-8 sequence above U+10FFFF,
// which makes llama.cpp throw, counts as an invalid byte (U+FFFD).
//
// Like the rest of the runtime, this has no LLVM or MLIR dependency.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_RUNTIME_TOKENIZER_H
#define QFORGE_RUNTIME_TOKENIZER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace qforge::runtime {

/// GGUF token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

/// A vocabulary as a GGUF file stores it.
struct TokenizerVocab {
  std::vector<std::string> tokens; ///< byte-level mapped text, e.g. "Ġthe"
  std::vector<int32_t> types;      ///< TokenType values; empty: all Normal
  std::vector<std::string> merges; ///< "A B", in rank order
  std::string pre;                 ///< pre-tokenizer: "gpt2", "gpt-2", "smollm"
  int32_t bos = -1, eos = -1, unk = -1;
  bool addBos = false;
};

class Tokenizer {
public:
  /// Checks `vocab` (known pre-tokenizer, ids in range, merges of two tokens
  /// into a token); on failure returns null and says why in `error`.
  static std::unique_ptr<Tokenizer> create(TokenizerVocab vocab, std::string &error);

  /// The vocabulary as a line-based text file (format in Tokenizer.cpp).
  bool save(const std::string &path, std::string &error) const;
  /// Reads a file save() wrote; errors name the file and line.
  static std::unique_ptr<Tokenizer> load(const std::string &path, std::string &error);

  /// Like llama_tokenize(add_special = addBos, parse_special): with
  /// `parseSpecial`, control and unknown tokens' texts in `text` become their
  /// ids; user-defined tokens' texts always do.
  std::vector<int32_t> encode(std::string_view text, bool parseSpecial) const;

  /// The words `text` (no special tokens in it) splits into before BPE, as
  /// UTF-8: invalid bytes are U+FFFD here.
  std::vector<std::string> preTokenize(std::string_view text) const;

  /// The bytes of one token, like llama_token_to_piece(special = true):
  /// control, unknown and user-defined tokens give their text, unused and
  /// byte-type tokens nothing, an id out of range nothing.
  const std::string &decode(int32_t token) const;

  int32_t bos() const { return vocab_.bos; }
  int32_t eos() const { return vocab_.eos; }
  size_t size() const { return vocab_.tokens.size(); }
  const TokenizerVocab &vocab() const { return vocab_; }

  /// eos and the tokens llama.cpp ends generation on (by their text:
  /// <|im_end|>, <|endoftext|>, FIM pad/repo/sep, ...).
  bool isEndOfGeneration(int32_t token) const;

private:
  enum class PreTokenizer { Gpt2, SmolLM };
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  struct Fragment {
    size_t offset, length;
    int32_t token; ///< -1: text to BPE-encode
  };

  struct Scratch; // buffers one encode() reuses, in Tokenizer.cpp

  Tokenizer() = default;
  bool init(std::string &error);
  std::vector<Fragment> splitSpecial(std::string_view text, bool parseSpecial) const;
  template <typename EmitWord>
  void splitWords(std::string_view text, Scratch &scratch, EmitWord emitWord) const;
  void encodeWord(std::string_view word, Scratch &scratch, std::vector<int32_t> &out) const;

  TokenizerVocab vocab_;
  PreTokenizer pre_ = PreTokenizer::Gpt2;
  std::vector<TokenType> kinds_; ///< types, with llama.cpp's overrides
  std::unordered_map<std::string, int32_t> idOfText_;
  std::unordered_map<uint64_t, Merge> merges_; ///< by (left id, right id)
  int32_t byteToken_[256];                     ///< token of a lone byte, or -1
  std::vector<int32_t> byteFallback_[256];     ///< when byteToken_ is -1
  std::vector<int32_t> specialTokens_;         ///< longest text first
  std::vector<std::string> pieces_;
  std::vector<bool> endOfGeneration_;
};

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_TOKENIZER_H

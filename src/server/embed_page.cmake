# Turns a text file into a C++ source defining `std::string_view <FUNC>()`:
#   cmake -DIN=page.html -DOUT=page.cc -DHEADER=server/x.h -DFUNC=Name -P embed_page.cmake
file(READ "${IN}" content)
set(delim "PQPAGE")
string(FIND "${content}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )${delim}\"")
endif()
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN} by embed_page.cmake. Do not edit.\n"
     "#include \"${HEADER}\"\n\n"
     "namespace parquedb::server {\n\n"
     "std::string_view ${FUNC}() {\n"
     "  static constexpr std::string_view kPage = R\"${delim}(${content})${delim}\";\n"
     "  return kPage;\n"
     "}\n\n"
     "}  // namespace parquedb::server\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")

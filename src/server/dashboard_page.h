// The web dashboard served at GET / and /dashboard: one self-contained HTML page
// (CSS and JavaScript inline, no external resources). Its source is
// src/server/dashboard.html, compiled in as a string at build time.
#pragma once

#include <string_view>

namespace parquedb::server {

std::string_view DashboardPage();

}  // namespace parquedb::server

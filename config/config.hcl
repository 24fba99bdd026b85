# Cycast Studio configuration.
# HCL: `key = value` inside blocks; strings in double quotes; comments start with #.
# Check a config without starting the server:  cycast --check --config config.hcl

server {
  # Address to listen on: "0.0.0.0" for every interface, "127.0.0.1" for this machine only.
  host = "0.0.0.0"

  # Port where sources (Mixxx, BUTT, ffmpeg, VLC) connect. May equal listen_port: one port then serves
  # both, like Icecast.
  source_port = 8000

  # Port where listeners tune in, and where the status page and APIs are served.
  listen_port = 8001

  # SHOUTcast v1 sources (password line, no user name) log in on this port.
  # -1: source_port + 1, as SHOUTcast encoders expect; 0: off.
  shoutcast_port = -1

  # Password sources must send. CHANGE IT before you open the server to a network.
  source_password = "hackme"

  # User name sources must send; "" accepts any user name.
  source_user = "source"

  # The main mount: listeners tune in at http://host:listen_port/stream
  mount_point = "/stream"

  # Audio format of the main mount: "mp3", "ogg" (Vorbis or Opus) or "aac" (ADTS).
  # A source sending another format is refused with 415.
  format = "mp3"
}

buffer {
  # Stream buffer per mount, in megabytes (1-1000), at most: a mount keeps only the audio a listener can
  # still be sent (broadcaster.queue_size or burst_size, the larger) and 1 MB for what arrives between two
  # writes: 1.5 MB by default.
  size_mb = 10
}

playlist {
  # Play the playlist (AutoDJ) whenever no DJ is live.
  enabled = true

  # Music for the playlist, relative to this file. The folder is watched: files you add or delete
  # there join or leave the playlist. With no playable music, a bundled demo track plays.
  directory = "./music"

  # Shuffle the playlist when it is first built from the music folder (a saved playlist keeps the
  # order you gave it).
  shuffle = true

  # Shuffle again at the end of every pass.
  reshuffle = false

  # Start again from the top after the last track; false: silence after the last track.
  repeat = true

  # File extensions taken from the music folder.
  extensions = [".mp3", ".ogg"]

  # The playlist is saved here (M3U8, beside this file); other mounts use playlist-NAME.m3u8.
  file = "playlist.m3u8"

  # Seconds after a DJ disconnects before the playlist comes back (silence meanwhile): a DJ whose
  # connection blips reconnects without the playlist cutting in. The playlist then moves on to the
  # next track rather than resuming the one the DJ interrupted.
  resume_delay = 3

  # Folders the studio's "Add from the server's disk" may browse and add from, besides each mount's
  # music folder (always allowed). Relative to this file; "~" is your home folder; folders that do
  # not exist are left out. The server refuses to list anything else.
  allowed_folders = ["~/Music"]
}

broadcaster {
  # Largest chunk, in bytes, stored in the stream buffer (1024-65536); bigger source writes are split
  # at frame boundaries.
  chunk_size = 8192

  # Milliseconds new audio may wait so that several pieces go to each listener in one write: much less
  # CPU per listener for at most this much more latency. Unset: the audience decides, from 26 ms (one MP3
  # frame) for a handful of listeners to 100 ms from about 60. 0 sends every piece at once (lowest latency).
  # write_interval_ms = 100

  # Bytes of recent audio a new listener gets at once, so playback starts without waiting.
  burst_size = 65536

  # A listener more than this many bytes behind the live point is disconnected, so one slow listener
  # never holds up the others.
  queue_size = 524288

  # sleep_high, sleep_medium and sleep_low are accepted for compatibility with Cycast and do nothing:
  # the broadcaster sends as soon as audio arrives, with no sleep loop.
}

metadata {
  # Station information sent to listeners (icy-name, icy-description, icy-genre, icy-url) unless the
  # live source names its own stream.
  station_name        = "Cycast Radio"
  station_description = "Internet radio powered by Cycast Studio"
  station_genre       = "Various"
  station_url         = ""

  # Send song titles inside the stream to players that ask for them (MP3 and AAC mounts).
  enable_icy = true

  # Audio bytes between two title blocks.
  icy_metaint = 16000

  # Contact shown as "admin" in /status-json.xsl and /admin/stats (an e-mail address); empty: none.
  admin_contact = ""
  # Show how many people are listening on the public listener page (/), the embeddable player
  # (/embed) and /api/nowplaying. /status and the Icecast/Cycast APIs always report it.
  show_listeners = true
}

advanced {
  # Most listeners at once over all mounts; 0 means no limit. Over it, new listeners get 503.
  max_listeners = 0

  # Seconds a source may send nothing, or nothing playable (only tags or garbage), before it is dropped.
  source_timeout = 10.0

  # Seconds a client has to send its complete request head.
  header_timeout = 10.0

  # Log every request and more detail per connection.
  verbose_logging = false

  # Serve /api/stats.
  enable_stats = true

  # Seconds a source (or listener) kicked by an admin may not log in (or tune in) again from the
  # same address, so its automatic reconnect does not put it straight back.
  kick_ban = 10

  # Reverse proxies (nginx, Caddy) in front of this server, by address. X-Forwarded-For and Forwarded
  # are believed only from these, so behind a proxy each listener is its own address.
  trusted_proxies = []

  # flask_debug and flask_secret_key are accepted for compatibility with Cycast and do nothing.
}

admin {
  # Credentials for /admin/ (Icecast's admin pages) and the studio.
  user = "admin"

  # Empty: the source password is the admin password.
  password = ""

  # Host names the studio answers to besides this machine's addresses, localhost and server.host
  # (a browser request for another name is refused: no DNS rebinding). Add the names you use.
  allowed_hosts = []

  # Icecast slaves (icecast2 with <master-server> pointed here) log in with these to list our mounts
  # (/admin/streamlist.txt) and relay them: <master-username> and <master-password>. Empty: off.
  relay_user     = "relay"
  relay_password = ""
}

limits {
  # Most connections at once, of every kind; 0: the open-file limit less 64. Listeners stop being
  # admitted 32 below it, so a DJ, the admin and the status page always get in.
  clients = 0

  # Most live sources at once, dynamic mounts included; over it a source gets 503.
  sources = 8

  # Most listeners from one address; 0: no limit (listeners behind NAT share an address).
  listeners_per_address = 0

  # Most studio windows and tabs open at once.
  event_streams = 8
}

stats {
  # Record every listener visit when it ends (mount, times, bytes, player family and a visitor key) for
  # the studio's Stats view, /api/stats and /metrics. false: no visits are recorded; the title history
  # and the AutoDJ position (which track comes next after a restart) are still remembered.
  enabled = true

  # Days visits and the hourly listener series are kept in station.db beside this file (1-3650).
  retention_days = 90

  # Also store each listener's IP address. false: only a key made from address and User-Agent with a
  # salt that changes every day, so unique listeners per day can be counted without knowing who they are.
  store_addresses = false
}

# More mounts, each with its own settings; unset keys take the values above.
# mount "/live.ogg" {
#   format          = "ogg"
#   source_password = "another-password"
#   max_listeners   = 100
#   burst_size      = 32768
#   queue_size      = 262144
#   icy_metaint     = 8192
#   station_name    = "Cycast Radio (Ogg)"
#   playlist_directory = "./music/ogg"
#   playlist_enabled   = true
# }

record {
  # Record every live show (one DJ connection) on the mounts below: one file per show, exactly as the
  # DJ sent it (no re-encoding), named like "2026-12-01 20-15 Stream Name.mp3", with a .json and a
  # .cue beside it listing the titles and when they played. The AutoDJ is never recorded.
  enabled = true

  # Where recordings go, relative to this file. The Recordings view of the studio plays, downloads
  # and deletes them.
  folder = "./recordings"

  # Mounts whose live shows are recorded.
  mounts = ["/stream"]

  # Past this many megabytes in all, the oldest recordings are deleted (0: no size limit).
  max_total_mb = 20000

  # Recordings older than this many days are deleted (0: kept for ever).
  keep_days = 90
}
# Send a mount to a hosted Icecast or SHOUTcast server, as an encoder would (Icecast 2.4+: PUT, with
# SOURCE for older servers; SHOUTcast v1: the password goes to port + 1). Reconnects by itself (1 s,
# doubling to 60 s); a wrong password or a taken mount is shown in the studio's Outputs view.
# output "hosted" {
#   mount = "/stream"
#   url   = "icecast://source:PASSWORD@radio.example.org:8000/live"
#   # url = "shoutcast://:PASSWORD@radio.example.org:8000"
#   # optional, else the mount's own: name, description, genre, station_url, public, user_agent
#   # enabled = false keeps it configured but off
# }

# Put another server's stream on a mount of this one (Icecast's <relay>). Titles come along (ICY, or
# the Ogg comments); the mount exists while the upstream is away, so listeners can tune in.
# relay "/news" {
#   url       = "https://other.example/news"   # http:// or https:// (certificate verified); redirects followed
#   on_demand = false   # true: connect only while the mount has listeners
#   # format  = "mp3"   # fix the mount's format ("mp3", "ogg", "aac"): an upstream of another is refused.
#                       # Unset: the upstream's Content-Type decides, at each connect; when it changes,
#                       # listeners are disconnected so their players reconnect with the new type, and
#                       # a listener tuning in while the relay connects waits (at most 10 s) for it.
#   # tls_ca_file = "/etc/cycast/private-ca.pem"   # trust this CA (or self-signed certificate) for this
#                       # upstream, besides the standard ones: whoever holds its key can pose as any https
#                       # server to this relay. Certificates are always verified.
# }

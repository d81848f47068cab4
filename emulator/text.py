"""Vocabulary of the simulated world: topics, Space titles, names, bios, post texts.

Titles are built from themes so that the common search words (`tech`, `programming`,
`crypto`, `music`, ...) match a realistic share of Spaces, and each theme carries the
topics a Space about it would be tagged with.
"""

from __future__ import annotations

# (name, description): ids are derived from the seed.
TOPICS: list[tuple[str, str]] = [
    ("Technology", "All about technology"),
    ("Programming", "Software development and programming languages"),
    ("Artificial intelligence", "Machine learning, models and AI products"),
    ("Startups", "Founders, funding and building companies"),
    ("Cryptocurrency", "Bitcoin, Ethereum and digital assets"),
    ("Web3", "Decentralised apps and blockchains"),
    ("Music", "All about music"),
    ("Hip hop", "Hip hop artists and culture"),
    ("Electronic music", "DJs, producers and electronic sounds"),
    ("Jazz", "Jazz, old and new"),
    ("Sports", "All about sports"),
    ("Football", "Football leagues, clubs and players"),
    ("Basketball", "Basketball leagues and players"),
    ("Gaming", "Video games and esports"),
    ("Business", "Business news and strategy"),
    ("Marketing", "Brands, growth and marketing"),
    ("Personal finance", "Saving, investing and money"),
    ("Books", "Reading, authors and book clubs"),
    ("Wellness", "Health, fitness and mindfulness"),
    ("Design", "Product, graphic and UX design"),
    ("Film", "Movies, cinema and streaming"),
    ("Food", "Cooking, recipes and restaurants"),
    ("Travel", "Places, trips and travel tips"),
    ("Science", "Research and discovery"),
    ("Space exploration", "Rockets, missions and astronomy"),
    ("Politics", "Elections, policy and government"),
    ("Comedy", "Jokes, stand-up and funny takes"),
    ("Fashion", "Style, brands and trends"),
]

# theme -> (share of Spaces, title templates, topic names)
THEMES: dict[str, tuple[float, list[str], list[str]]] = {
    "tech": (0.13, [
        "Tech talks: {tech}",
        "Tech news roundup",
        "Late night tech chat about {tech}",
        "{tech} and the future of tech",
        "Tech talks with founders",
        "Women in tech: {tech}",
        "Weekly tech talks AMA",
    ], ["Technology", "Startups", "Artificial intelligence"]),
    "programming": (0.11, [
        "Programming in {lang}: live coding",
        "{lang} vs {lang2}: a programming debate",
        "Pair programming session",
        "Learn {lang} programming from scratch",
        "Functional programming office hours",
        "Programming careers Q&A",
    ], ["Programming", "Technology"]),
    "crypto": (0.10, [
        "Crypto market {daypart}",
        "Bitcoin and crypto AMA",
        "{coin} community call",
        "Crypto regulation explained",
        "DeFi and crypto trading desk",
    ], ["Cryptocurrency", "Web3", "Personal finance"]),
    "music": (0.11, [
        "New {genre} music Friday",
        "Music listening party: {genre}",
        "Open mic music night",
        "{genre} producers hangout",
        "Music industry talk",
    ], ["Music", "Hip hop", "Electronic music", "Jazz"]),
    "sports": (0.10, [
        "{league} matchday live",
        "Sports talk: {league} trade rumours",
        "Fantasy {league} draft room",
        "Post game show: {league}",
    ], ["Sports", "Football", "Basketball"]),
    "gaming": (0.07, [
        "Gaming night: {game}",
        "{game} patch notes reaction",
        "Esports weekly: {game}",
    ], ["Gaming"]),
    "business": (0.09, [
        "Founders morning coffee",
        "Marketing growth hacks",
        "Small business owners meetup",
        "Investing for beginners",
        "Sales and marketing {daypart}",
    ], ["Business", "Marketing", "Personal finance", "Startups"]),
    "culture": (0.16, [
        "Book club: {book}",
        "Film night: {film} discussion",
        "Design critique hour",
        "Cooking together: {dish}",
        "Travel stories from {city}",
        "Stand-up comedy open floor",
        "Fashion week recap",
        "Mindful {daypart}",
    ], ["Books", "Film", "Design", "Food", "Travel", "Comedy", "Fashion", "Wellness"]),
    "science": (0.07, [
        "Science hour: {science}",
        "Launch watch party: {mission}",
        "Ask an astronomer",
    ], ["Science", "Space exploration"]),
    "politics": (0.06, [
        "Election night live",
        "Policy breakdown: {policy}",
        "Town hall on {policy}",
    ], ["Politics"]),
}

FILLERS: dict[str, list[str]] = {
    "tech": ["the X API", "open source", "cloud costs", "AI agents", "chips", "developer tools",
             "cybersecurity", "robotics", "data engineering", "mobile apps"],
    "lang": ["Rust", "Go", "Python", "TypeScript", "Kotlin", "Swift", "Elixir", "Zig", "C++", "Java"],
    "coin": ["Bitcoin", "Ethereum", "Solana", "Cardano", "Polkadot", "Avalanche"],
    "genre": ["hip hop", "jazz", "techno", "indie", "afrobeats", "lo-fi", "house", "soul"],
    "league": ["NBA", "Premier League", "NFL", "La Liga", "MLB", "F1"],
    "game": ["Elden Ring", "Fortnite", "Valorant", "Minecraft", "League of Legends", "Zelda"],
    "book": ["Dune", "Project Hail Mary", "The Overstory", "Pachinko", "Circe"],
    "film": ["Oppenheimer", "Past Lives", "Dune Part Two", "Perfect Days", "Aftersun"],
    "dish": ["ramen", "jollof rice", "tacos", "sourdough", "paella"],
    "city": ["Lisbon", "Lagos", "Tokyo", "Mexico City", "Seoul", "Nairobi", "Berlin"],
    "science": ["black holes", "CRISPR", "climate models", "quantum computing", "the ocean floor"],
    "mission": ["Artemis", "Starship", "Europa Clipper", "JWST"],
    "policy": ["housing", "energy prices", "immigration", "healthcare", "education"],
    "daypart": ["morning", "afternoon", "evening", "late night", "weekend"],
}

FIRST_NAMES = [
    "Ada", "Grace", "Linus", "Maya", "Omar", "Priya", "Kenji", "Lena", "Tomás", "Zara",
    "Noah", "Amara", "Yuki", "Diego", "Fatima", "Ivan", "Chloe", "Kwame", "Sofia", "Arjun",
    "Mei", "Lucas", "Nia", "Hugo", "Leila", "Mateo", "Aisha", "Erik", "Camila", "Ravi",
    "Hana", "Jonas", "Olu", "Elena", "Sam", "Ines", "Kai", "Rosa", "Theo", "Wanjiru",
]
LAST_NAMES = [
    "Okafor", "Lovelace", "Tanaka", "Garcia", "Nguyen", "Hopper", "Schmidt", "Mensah", "Rossi",
    "Kowalski", "Haddad", "Silva", "Kim", "Patel", "Johansson", "Dubois", "Mwangi", "Costa",
    "Yilmaz", "Novak", "Sato", "Ibrahim", "Moreau", "Andersen", "Chen", "Alvarez", "Singh",
    "Murphy", "Fischer", "Adeyemi",
]
HANDLE_WORDS = ["dev", "talks", "live", "hq", "cast", "fm", "builds", "daily", "hub", "official"]
BIO_TEMPLATES = [
    "Host of weekly Spaces about {topic}. Opinions my own.",
    "{topic} nerd. Building in public. #{tag}",
    "Talking {topic} every week on Spaces 🎙️",
    "Founder. Writer. Occasional {topic} rants.",
    "{topic} | coffee | long walks",
    "Professional {topic} enthusiast. DMs open.",
    "",
]
LOCATIONS = ["Lagos, Nigeria", "Berlin", "San Francisco, CA", "Tokyo", "London", "São Paulo",
             "Nairobi", "Toronto", "Mumbai", "Paris", "Seoul", "Mexico City", "", ""]
LANGS = ["en"] * 14 + ["es", "es", "ja", "pt", "fr", "de"]
POST_TEMPLATES = [
    "Join us live now: {title} {url}",
    "Starting soon 🎙️ {title} {url}",
    "Great conversation in {title}, thanks everyone! {url}",
    "We're talking {topic} right now {url}",
    "Missed it? Recording of {title} is up {url}",
    "Who's coming to {title}? {url}",
    "Hot take from today's Space: {topic} is underrated {url}",
]
SOURCES = ["X Web App", "X for iPhone", "X for Android"]

-- bounces.lua - send many bounces (multipart/report, MAIL FROM:<>) naming a
-- Microsoft block to milter-delist, and fail unless every reply is
-- continue or accept.  Used by the storm, crash and forged-bounce tests.
--
--   miltertest -D socket=unix:/path -D count=10000 -s bounces.lua
--
-- Variables (-D name=value):
--   socket    the milter socket (required)
--   count     bounces to send (1)
--   first     index of the first bounce (0); the index makes the queue id
--             (and, with ip=seq, the IP) of each bounce unique
--   ip        the blocked IP the bounce names (192.0.2.1), or "seq": a
--             distinct IP per bounce, 10.a.b.c from the index
--   client    connecting client address: "unspec" (no address: a local,
--             non-SMTP submission, as Postfix's own notices look) (the
--             default), or an IP (miltertest then sends a non-zero port:
--             an SMTP client)
--   clientname  the client's host name (client.example.net)
--   resolve   the {client_resolve} macro sent with the connection (OK,
--             FORGED, ...: whether the MTA verified the host name); unset:
--             none sent
--   qid       "no" leaves out X-Postfix-Queue-ID (default: Q<index>)
--   reporting the Reporting-MTA (mail.example.org)
--   kind      "block" (S3150, default), "ban" (5.7.606), "ratelimit" (4.7.650)
--   perconn   bounces per connection (100)
--   bodyfile  send this file as the body instead (the caller's bounce,
--             boundary "b1"); the file is read raw, NULs included; "%d"
--             in the name is replaced by the index.  It goes in pieces of
--             at most 65535 bytes, as an MTA sends it (mt.bodyfile alone
--             sends 65536, which libmilter refuses)
--   macro_i   the queue id macro (i) sent at MAIL FROM (default Q<index>)
--   ordinary  "yes": after each connection's bounces, one ordinary message
--             to hotmail.com too (accepted at end of headers at the latest)

if socket == nil then
	error("define socket with -D socket=...")
end
count = tonumber(count or "1")
first = tonumber(first or "0")
perconn = tonumber(perconn or "100")
ip = ip or "192.0.2.1"
client = client or "unspec"
reporting = reporting or "mail.example.org"
kind = kind or "block"

local replies = {
	block = "550 5.7.1 Unfortunately, messages from [%s] weren't sent. " ..
		"Please contact your Internet service provider since part of " ..
		"their network is on our block list (S3150).",
	ban = "550 5.7.606 Access denied, banned sending IP [%s]. To request " ..
		"removal from this list please visit https://sender.office.com/",
	ratelimit = "451 4.7.650 The mail server [%s] has been temporarily " ..
		"rate limited due to IP reputation. For e-mail delivery " ..
		"information, see https://aka.ms/postmaster (S775)",
}
local domains = {block = "hotmail.com", ban = "contoso.com",
		 ratelimit = "outlook.com"}
local mxs = {block = "hotmail-com.olc.protection.outlook.com",
	     ban = "contoso-com.mail.protection.outlook.com",
	     ratelimit = "outlook-com.olc.protection.outlook.com"}
if replies[kind] == nil then
	error("kind must be block, ban or ratelimit")
end

local pass = {[SMFIR_CONTINUE] = true, [SMFIR_ACCEPT] = true}

local function check(conn, err, step)
	if err ~= nil then
		error(step .. ": " .. err)
	end
	local got = mt.getreply(conn)
	if not pass[got] then
		error(step .. ": unexpected milter reply " .. tostring(got))
	end
	return got
end

local function ip_of(i)
	if ip ~= "seq" then
		return ip
	end
	return string.format("10.%d.%d.%d", (i // 65536) % 256,
			     (i // 256) % 256, i % 256)
end

local function body_of(i)
	local addr = ip_of(i)
	local reply = string.format(replies[kind], addr)
	local rcpt = "user" .. i .. "@" .. domains[kind]
	local q = ""
	if qid ~= "no" then
		q = "X-Postfix-Queue-ID: Q" .. i .. "\r\n"
	end
	return "--b1\r\nContent-Type: text/plain\r\n\r\n" ..
		"<" .. rcpt .. ">: host " .. mxs[kind] .. "[104.47.1.1] said:\r\n" ..
		"    " .. reply .. " (in reply to MAIL FROM command)\r\n\r\n" ..
		"--b1\r\nContent-Type: message/delivery-status\r\n\r\n" ..
		"Reporting-MTA: dns; " .. reporting .. "\r\n" .. q .. "\r\n" ..
		"Final-Recipient: rfc822; " .. rcpt .. "\r\n" ..
		"Action: failed\r\nStatus: 5.7.1\r\n" ..
		"Remote-MTA: dns; " .. mxs[kind] .. "\r\n" ..
		"Diagnostic-Code: smtp; " .. reply .. "\r\n\r\n--b1--\r\n"
end

-- send_file - the file as body chunks of at most 65535 bytes
local function send_file(conn, name)
	local f = assert(io.open(name, "rb"))
	local data = f:read("a")
	f:close()
	local tmp = os.tmpname()
	for pos = 1, #data, 65535 do
		local p = assert(io.open(tmp, "wb"))
		p:write(data:sub(pos, pos + 65534))
		p:close()
		check(conn, mt.bodyfile(conn, tmp), "body (file)")
	end
	os.remove(tmp)
end

local function one_bounce(conn, i)
	check(conn, mt.macro(conn, SMFIC_MAIL, "i", macro_i or ("Q" .. i)), "macro")
	check(conn, mt.mailfrom(conn, "<>"), "mail from <>")
	check(conn, mt.rcptto(conn, "<alice@example.org>"), "rcpt to")
	check(conn, mt.header(conn, "From",
		"MAILER-DAEMON@mail.example.org (Mail Delivery System)"), "header")
	check(conn, mt.header(conn, "Content-Type",
		"multipart/report; report-type=delivery-status; boundary=\"b1\""),
		"header Content-Type")
	if check(conn, mt.eoh(conn), "eoh") == SMFIR_ACCEPT then
		error("end of headers: a bounce was accepted before its body")
	end
	if bodyfile ~= nil then
		send_file(conn, (string.gsub(bodyfile, "%%d", tostring(i))))
	else
		check(conn, mt.bodystring(conn, body_of(i)), "body")
	end
	check(conn, mt.eom(conn), "eom")
end

local function one_ordinary(conn, i)
	check(conn, mt.mailfrom(conn, "<alice@example.org>"), "mail from")
	check(conn, mt.rcptto(conn, "<friend" .. i .. "@hotmail.com>"), "rcpt to")
	check(conn, mt.header(conn, "Subject", "hello"), "header")
	local r = check(conn, mt.eoh(conn), "eoh (ordinary)")
	if r ~= SMFIR_ACCEPT then
		error("an ordinary message was not accepted at end of headers")
	end
end

local sent, i = 0, first
while sent < count do
	local conn = mt.connect(socket, 40, 0.25)
	if conn == nil then
		error("cannot connect to " .. socket)
	end
	if resolve ~= nil then
		mt.macro(conn, SMFIC_CONNECT, "{client_resolve}", resolve)
	end
	if client == "unspec" then
		check(conn, mt.conninfo(conn, "localhost", "unspec"), "connect")
	else
		check(conn, mt.conninfo(conn, clientname or "client.example.net",
					client), "connect")
	end
	local n = 0
	while n < perconn and sent < count do
		one_bounce(conn, i)
		i, n, sent = i + 1, n + 1, sent + 1
	end
	if ordinary == "yes" then
		one_ordinary(conn, i)
	end
	mt.disconnect(conn)
end
mt.echo("bounces: " .. sent .. " sent, all replies continue or accept")
